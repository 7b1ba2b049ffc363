// The thread a start's rebuild opens sealed personal data in (key unwrap and AES-GCM), beside the event loop that
// applies the facts: see background-opener.ts. Each subject's key is unwrapped once for the whole read.
import { parentPort, workerData } from 'node:worker_threads';
import type { SessionInput } from '../checkout/session.schema.ts';
import { stateFieldsOf } from '../storage/history.state-fields.ts';
import { makeInputOpener } from './personal-data.ts';
import { erased, makeSubjectKeyCache } from './subject-store.ts';
import type { OpenerRequest, OpenerReply, OpenerSettings } from './background-opener.ts';

const settings = workerData as OpenerSettings;
const open = makeInputOpener(settings);
const cache = makeSubjectKeyCache();

parentPort!.on('message', (request: OpenerRequest) => {
  try {
    const values = request.rows.map((row) => {
      const opened = open({ ...row, input: null }, cache);
      if (opened === erased) return null;
      return request.kind === 'orderState' ? stateFieldsOf(opened as SessionInput) : opened;
    });
    parentPort!.postMessage({ id: request.id, values } satisfies OpenerReply);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: String(error) } satisfies OpenerReply);
  }
});
parentPort!.postMessage({ ready: true });
