# Regenerates botocore-requests.json: requests signed by botocore (SigV4 "s3v4" and SigV2 "s3"), path- and
# virtual-hosted style, header-signed and presigned, for keys that are easy to canonicalise wrongly.
# The transport is stubbed, so nothing is sent. Run: python3 botocore-requests.py > botocore-requests.json
import json
import warnings
from urllib.parse import urlsplit

import botocore
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

warnings.simplefilter('ignore')
KEYS = ['a b', 'a+b', '100%', 'caf\u00e9/\u00fc/\u65e5\u672c', '../x', 'a//b', './x/./y', "x!*'()~", 'q?x=y#z&k', '  lead', 'plus+and space']
UNSIGNED_NOISE = ('user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request', 'expect')


class Stub:
    def __init__(self):
        self.last = None

    def __call__(self, request, **kwargs):
        url = urlsplit(request.url)
        headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        headers = {k: v for k, v in headers.items() if k not in UNSIGNED_NOISE}
        headers['host'] = url.netloc
        body = request.body
        if hasattr(body, 'read'):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        self.last = {'method': request.method, 'rawTarget': url.path + ('?' + url.query if url.query else ''),
                     'headers': headers, 'body': (body or b'').decode('latin1')}

        class Raw:
            def stream(self, **kw):
                return iter([b''])
        return AWSResponse(request.url, 200, {}, Raw())


def client(signature_version, style):
    session = botocore.session.get_session()
    c = session.create_client(
        's3', region_name='us-east-1', endpoint_url='http://s3.test:9000',
        aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        config=Config(signature_version=signature_version, s3={'addressing_style': style},
                      request_checksum_calculation='when_required'))
    stub = Stub()
    c.meta.events.register('before-send.s3', stub)
    return c, stub


def presigned(url, method, headers=None):
    u = urlsplit(url)
    return {'method': method, 'rawTarget': u.path + '?' + u.query, 'headers': {'host': u.netloc, **(headers or {})}, 'body': ''}


out = []
for sig in ['s3v4', 's3']:
    for style in ['path', 'virtual']:
        c, stub = client(sig, style)
        meta = {'sig': sig, 'style': style, 'botocore': botocore.__version__}
        for k in KEYS:
            c.put_object(Bucket='bkt', Key=k, Body=b'hello', Metadata={'note': '  two  spaces '})
            out.append({'name': f'{sig} {style} PUT {k!r}', **meta, **stub.last})
            c.get_object(Bucket='bkt', Key=k, ResponseContentDisposition='attachment; filename="a b+c.txt"', Range='bytes=0-1')
            out.append({'name': f'{sig} {style} GET {k!r}', **meta, **stub.last})
        c.list_objects_v2(Bucket='bkt', Prefix='a b+c/\u00e9', Delimiter='/', StartAfter='x~y*z')
        out.append({'name': f'{sig} {style} ListObjectsV2', **meta, **stub.last})
        c.get_object_acl(Bucket='bkt', Key='o', VersionId='v+1 2')
        out.append({'name': f'{sig} {style} GetObjectAcl versionId', **meta, **stub.last})
        c.list_parts(Bucket='bkt', Key='o', UploadId='up/id+=')
        out.append({'name': f'{sig} {style} ListParts', **meta, **stub.last})
        c.delete_objects(Bucket='bkt', Delete={'Objects': [{'Key': 'a'}]})
        out.append({'name': f'{sig} {style} DeleteObjects', **meta, **stub.last})
        for k in ['a b', 'caf\u00e9+x', '../x']:
            url = c.generate_presigned_url('get_object', Params={'Bucket': 'bkt', 'Key': k, 'ResponseContentType': 'text/plain; charset=utf-8'}, ExpiresIn=3600)
            out.append({'name': f'{sig} {style} presigned GET {k!r}', **meta, 'presigned': True, **presigned(url, 'GET')})
        url = c.generate_presigned_url('put_object', Params={'Bucket': 'bkt', 'Key': 'up load', 'ContentType': 'text/plain', 'Metadata': {'m': 'v'}}, ExpiresIn=600)
        # SigV4 signs content-type and x-amz-meta-m as headers the uploader must send; SigV2 moves them to the query.
        out.append({'name': f'{sig} {style} presigned PUT', **meta, 'presigned': True,
                    **presigned(url, 'PUT', {'content-type': 'text/plain', 'x-amz-meta-m': 'v'} if sig == 's3v4' else None)})

print('[\n' + ',\n'.join(json.dumps(entry, ensure_ascii=False) for entry in out) + '\n]')
