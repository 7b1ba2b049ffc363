// Posts one webhook to the address that was checked (no second DNS lookup), within a deadline, reading at most a few KiB back.
import http from 'node:http';
import https from 'node:https';
import { resolveTarget } from './webhook.url-policy.ts';

export interface WebhookPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMilliseconds: number;
  readonly allowPrivateUrls: boolean;
}

/** The receiver's status decides success; its body is only read (capped) to release the connection. */
export type WebhookTransport = (post: WebhookPost) => Promise<{ status: number }>;

/** How much of a receiver's answer is read before the connection is dropped. */
export const maxResponseBytes = 16 * 1024;

export const postWebhook: WebhookTransport = async (post) => {
  const target = await resolveTarget(post.url, post.allowPrivateUrls);
  if (!target) throw new Error('the endpoint resolves to a private address');
  const url = new URL(post.url);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request({
      // Connect to the checked address; the Host header and TLS name stay those of the URL.
      host: target.address,
      family: target.family,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...post.headers, host: url.host, 'content-length': Buffer.byteLength(post.body) },
      ...(secure ? { servername: target.host.includes(':') ? undefined : target.host } : {}),
      agent: false,
    });
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${post.timeoutMilliseconds} ms`)),
      post.timeoutMilliseconds,
    );
    request.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.once('response', (response) => {
      let read = 0;
      const finish = () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0 });
      };
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        // Enough: the rest is discarded with the connection, so a receiver cannot push its payload into our memory.
        if (read > maxResponseBytes) {
          response.destroy();
          request.destroy();
          finish();
        }
      });
      response.once('end', finish);
      response.once('error', finish);
    });
    request.end(post.body);
  });
};
