// Minimal server-rendered pages (dev outbox, "was this you?" confirmations): escaped text, no scripts, no framework.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
article{border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
article header{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap;color:#555}
pre{white-space:pre-wrap;font:14px/1.4 ui-monospace,monospace;background:#f6f6f6;padding:.5rem;border-radius:4px}
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#b3261e;color:#fff;cursor:pointer}
.done{color:#1e6b2e}`;

export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Rearguard</title><style>${style}</style></head>
<body>${body}</body></html>`;
}
