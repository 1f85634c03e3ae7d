// The WebsiteConfiguration document (PutBucketWebsite) as S3 validates it, and back.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketWebsite.html
import { S3Error } from '../errors/s3-error.js';
import type { WebsiteConfig, WebsiteRedirect, WebsiteRoutingRule } from '../storage/metadata-index.js';
import { decodeXml, listOf, textOf, type XmlNode } from '../xml/decode.js';
import type { WebsiteConfiguration, WebsiteRedirectShape } from '../xml/shapes.js';

const MAX_ROUTING_RULES = 50;

function invalid(message: string): S3Error {
  return new S3Error('InvalidArgument', { message });
}

function one(node: XmlNode | XmlNode[] | undefined): { [name: string]: XmlNode | XmlNode[] | undefined } | undefined {
  const items = listOf(node);
  if (items.length > 1) throw new S3Error('MalformedXML');
  return items[0];
}

function protocolOf(value: string | undefined): 'http' | 'https' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'http' && value !== 'https') {
    throw invalid('Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.');
  }
  return value;
}

function parseRedirect(node: { [name: string]: XmlNode | XmlNode[] | undefined }): WebsiteRedirect {
  const redirect: WebsiteRedirect = {};
  const hostName = textOf(node.HostName);
  const protocol = protocolOf(textOf(node.Protocol));
  const replaceKeyPrefixWith = textOf(node.ReplaceKeyPrefixWith);
  const replaceKeyWith = textOf(node.ReplaceKeyWith);
  const code = textOf(node.HttpRedirectCode);
  if (replaceKeyPrefixWith !== undefined && replaceKeyWith !== undefined) {
    throw invalid('You can only define ReplaceKeyPrefix or ReplaceKey but not both.');
  }
  if (code !== undefined && (!/^3\d\d$/.test(code) || code === '300')) {
    throw invalid(`The provided HTTP redirect code (${code}) is not valid. Valid codes are 3XX except 300.`);
  }
  if (hostName !== undefined) redirect.hostName = hostName;
  if (protocol !== undefined) redirect.protocol = protocol;
  if (replaceKeyPrefixWith !== undefined) redirect.replaceKeyPrefixWith = replaceKeyPrefixWith;
  if (replaceKeyWith !== undefined) redirect.replaceKeyWith = replaceKeyWith;
  if (code !== undefined) redirect.httpRedirectCode = code;
  if (Object.keys(redirect).length === 0) throw invalid('A Redirect must contain at least one of its elements.');
  return redirect;
}

function parseRoutingRule(node: { [name: string]: XmlNode | XmlNode[] | undefined }): WebsiteRoutingRule {
  const redirectNode = one(node.Redirect);
  if (redirectNode === undefined) throw new S3Error('MalformedXML');
  const rule: WebsiteRoutingRule = { redirect: parseRedirect(redirectNode) };
  const conditionNode = one(node.Condition);
  if (conditionNode !== undefined) {
    const keyPrefixEquals = textOf(conditionNode.KeyPrefixEquals);
    const errorCode = textOf(conditionNode.HttpErrorCodeReturnedEquals);
    if (keyPrefixEquals === undefined && errorCode === undefined) throw invalid('Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn\'t be present.');
    if (errorCode !== undefined && !/^[45]\d\d$/.test(errorCode)) {
      throw invalid(`The provided HTTP error code (${errorCode}) is not valid. Valid codes are 4XX or 5XX.`);
    }
    rule.condition = {};
    if (keyPrefixEquals !== undefined) rule.condition.keyPrefixEquals = keyPrefixEquals;
    if (errorCode !== undefined) rule.condition.httpErrorCodeReturnedEquals = errorCode;
  }
  return rule;
}

export function parseWebsiteConfiguration(body: Buffer): WebsiteConfig {
  const doc = decodeXml(body.toString('utf8'), 'WebsiteConfiguration');
  const redirectAll = one(doc.RedirectAllRequestsTo);
  const index = one(doc.IndexDocument);
  const error = one(doc.ErrorDocument);
  const rules = one(doc.RoutingRules);
  if (redirectAll !== undefined) {
    if (index !== undefined || error !== undefined || rules !== undefined) {
      throw invalid('RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.');
    }
    const hostName = textOf(redirectAll.HostName);
    if (hostName === undefined || hostName === '') throw invalid('A host name must be provided to redirect all requests.');
    const protocol = protocolOf(textOf(redirectAll.Protocol));
    return { redirectAllRequestsTo: protocol === undefined ? { hostName } : { hostName, protocol } };
  }
  const suffix = index === undefined ? undefined : textOf(index.Suffix);
  if (suffix === undefined) throw invalid('A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty');
  if (suffix === '' || suffix.includes('/')) throw invalid('The IndexDocument Suffix is not well formed');
  const errorKey = error === undefined ? undefined : textOf(error.Key);
  if (error !== undefined && (errorKey === undefined || errorKey === '')) throw invalid('The ErrorDocument Key is not well formed');
  const routingRules = rules === undefined ? [] : listOf(rules.RoutingRule).map(parseRoutingRule);
  if (rules !== undefined && routingRules.length === 0) throw new S3Error('MalformedXML');
  if (routingRules.length > MAX_ROUTING_RULES) throw invalid(`The number of routing rules must not exceed the allowed limit of ${MAX_ROUTING_RULES} rules.`);
  const config: WebsiteConfig = { indexSuffix: suffix, routingRules };
  if (errorKey !== undefined) config.errorKey = errorKey;
  return config;
}

function redirectShape(r: WebsiteRedirect): WebsiteRedirectShape {
  return {
    HostName: r.hostName,
    HttpRedirectCode: r.httpRedirectCode,
    Protocol: r.protocol,
    ReplaceKeyPrefixWith: r.replaceKeyPrefixWith,
    ReplaceKeyWith: r.replaceKeyWith,
  };
}

export function websiteDocument(config: WebsiteConfig): WebsiteConfiguration {
  if ('redirectAllRequestsTo' in config) {
    return { RedirectAllRequestsTo: { HostName: config.redirectAllRequestsTo.hostName, Protocol: config.redirectAllRequestsTo.protocol } };
  }
  return {
    IndexDocument: { Suffix: config.indexSuffix },
    ErrorDocument: config.errorKey === undefined ? undefined : { Key: config.errorKey },
    RoutingRules: config.routingRules.length === 0 ? undefined : {
      RoutingRule: config.routingRules.map((rule) => ({
        Condition: rule.condition === undefined ? undefined : {
          KeyPrefixEquals: rule.condition.keyPrefixEquals,
          HttpErrorCodeReturnedEquals: rule.condition.httpErrorCodeReturnedEquals,
        },
        Redirect: redirectShape(rule.redirect),
      })),
    },
  };
}
