// Steps the console's browser tests share: signing in through the form, the axe check of a screen, screenshots.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations } from './browser.js';

export async function expectAccessible(page: Page, screen: string): Promise<void> {
  expect(await axeViolations(page), `accessibility of ${screen}`).toEqual([]);
}

export async function signIn(page: Page, endpoint: string, accessKey: string, secret: string, labels = { key: 'Access key', secret: 'Secret key', button: 'Sign in' }): Promise<void> {
  await page.goto(`${endpoint}/_sklad/console/`);
  await page.getByLabel(labels.key, { exact: true }).fill(accessKey);
  await page.getByLabel(labels.secret, { exact: true }).fill(secret);
  await page.getByRole('button', { name: labels.button, exact: true }).click();
  await page.getByTestId('who').waitFor();
}

/** Set to a folder (docs/console) to write screenshots of the main screens there. */
const SHOTS = process.env.SKLAD_CONSOLE_SCREENSHOTS;

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (SHOTS === undefined) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}
