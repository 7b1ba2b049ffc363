// Entry of the opening thread: loads the TypeScript worker through tsx, since a worker does not inherit the parent's
// loader. A namespaced registration: a global one hangs when the parent thread registered tsx too.
import { register } from 'tsx/esm/api';

await register({ namespace: 'opener-worker' }).import('./opener.worker.ts', import.meta.url);
