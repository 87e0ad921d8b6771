/**
 * Registers the service worker (src/sw/serviceWorker.ts) that keeps the app usable offline after one visit.
 * Built apps only: the dev server builds no sw.js, and its modules change on every edit.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const register = () =>
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch((e: unknown) => {
      console.warn('The app will not work offline: the service worker did not register.', e);
    });
  // After the page has loaded, so the worker's downloads do not compete with the app's first start.
  if (document.readyState === 'complete') void register();
  else addEventListener('load', () => void register(), { once: true });
}
