// The browser-facing bucket settings of the MetadataIndex contract: CORS rules and the website configuration.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CorsRule, MetadataIndex, WebsiteConfig } from '../metadata-index.js';
import { bucketRecord, objectRecord } from './records.js';

/** Registers the CORS and website cases; `current` yields the index the enclosing suite opened for this test. */
export function webCases(current: () => MetadataIndex): void {
  let index: MetadataIndex;

  describe('cors and website settings', () => {
    beforeEach(async () => {
      index = current();
      await index.createBucket(bucketRecord('b'));
    });

    it('stores CORS rules in order with every member, replaces and removes them', async () => {
      expect((await index.getBucket('b'))?.cors).toBeUndefined();
      const rules: CorsRule[] = [
        { id: 'first', allowedOrigins: ['https://*.example.com'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 600 },
        { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] },
      ];
      await index.patchBucket('b', { cors: rules });
      expect((await index.getBucket('b'))?.cors).toEqual(rules);
      await index.patchBucket('b', { cors: [rules[1]!] });
      expect((await index.getBucket('b'))?.cors).toEqual([rules[1]]);
      await index.patchBucket('b', { tags: [{ key: 'a', value: 'b' }] });
      expect((await index.getBucket('b'))?.cors).toEqual([rules[1]]);
      await index.patchBucket('b', { cors: null });
      expect((await index.getBucket('b'))?.cors).toBeUndefined();
    });

    it('stores both kinds of website configuration and removes it', async () => {
      const site: WebsiteConfig = {
        indexSuffix: 'index.html',
        errorKey: 'error.html',
        routingRules: [
          { condition: { keyPrefixEquals: 'docs/' }, redirect: { replaceKeyPrefixWith: 'documents/', httpRedirectCode: '301' } },
          { condition: { httpErrorCodeReturnedEquals: '404' }, redirect: { hostName: 'example.com', protocol: 'https', replaceKeyWith: 'missing.html' } },
        ],
      };
      await index.patchBucket('b', { website: site });
      expect((await index.getBucket('b'))?.website).toEqual(site);
      const redirect: WebsiteConfig = { redirectAllRequestsTo: { hostName: 'example.org', protocol: 'https' } };
      await index.patchBucket('b', { website: redirect });
      expect((await index.getBucket('b'))?.website).toEqual(redirect);
      await index.patchBucket('b', { website: null });
      expect((await index.getBucket('b'))?.website).toBeUndefined();
    });

    it('keeps an object\'s website redirect location with its other content headers', async () => {
      const record = objectRecord('b', 'old.html', { contentHeaders: { 'content-type': 'text/html', 'x-amz-website-redirect-location': '/new.html' } });
      await index.putObject(record);
      expect((await index.getObject('b', 'old.html'))?.contentHeaders).toEqual({ 'content-type': 'text/html', 'x-amz-website-redirect-location': '/new.html' });
    });

    it('forgets both with the bucket', async () => {
      await index.patchBucket('b', { cors: [{ allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] }], website: { indexSuffix: 'i.html', routingRules: [] } });
      await index.deleteBucket('b');
      await index.createBucket(bucketRecord('b'));
      const fresh = await index.getBucket('b');
      expect(fresh?.cors).toBeUndefined();
      expect(fresh?.website).toBeUndefined();
    });
  });
}
