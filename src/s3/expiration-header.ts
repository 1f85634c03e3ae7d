// x-amz-expiration: when a lifecycle rule will expire the object a response is about, and which rule.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html#AmazonS3-PutObject-response-header-Expiration
import { currentObjectExpiry, type CurrentObjectSubject } from '../lifecycle/evaluate.js';
import type { S3Context } from './context.js';
import { httpDate } from './wire-format.js';

/** The header for a current object of the request's bucket, or nothing when no enabled rule expires it. */
export function expirationHeader(ctx: S3Context, object: CurrentObjectSubject): Record<string, string> {
  const expiry = currentObjectExpiry(ctx.bucketRecord?.lifecycle?.rules, object, ctx.settings.lifecycleDayMs);
  if (expiry === undefined) return {};
  // The rule id is quoted as S3 quotes it; an id holding a quote is sent as given, as S3 does.
  return { 'x-amz-expiration': `expiry-date="${httpDate(expiry.at)}", rule-id="${expiry.ruleId}"` };
}
