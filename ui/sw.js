// The hub's service worker: the app shell (this build's files) works offline; the API never is
// cached, nor is a page the hub served with a user's state inlined: the shell kept for offline use
// is /index.html, which the hub always serves plain. Filled in by scripts/build-ui.ts with the
// build's version and file list.
const VERSION = '__VERSION__';
const SHELL = '__SHELL__';
const CACHE = `hub-shell-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(event.request).then((hit) => hit ?? fetch(event.request)));
  } else if (event.request.mode === 'navigate') {
    // Fresh when the hub answers (never stored), the plain cached shell when it does not.
    event.respondWith(fetch(event.request).catch(() => caches.match('/index.html')));
  }
});
