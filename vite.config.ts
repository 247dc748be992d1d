import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/**
 * In development Vite's client injects <style> tags itself and takes their nonce from
 * `<meta property="csp-nonce" nonce="…">`. The server only adds `<meta name="csp-nonce" content="…">`
 * (and a nonce to every script tag), so a first module script copies one into the other before the
 * Vite client runs. Module scripts run in document order, and this one is placed first.
 */
function devCspNonce(): Plugin {
  return {
    name: 'passage-dev-csp-nonce',
    apply: 'serve',
    transformIndexHtml: {
      order: 'post',
      handler: (html) =>
        html.replace(
          '<head>',
          '<head><script type="module">' +
            "const n=document.querySelector('meta[name=csp-nonce]')?.content;" +
            "if(n){const m=document.createElement('meta');m.setAttribute('property','csp-nonce');m.nonce=n;document.head.append(m);}" +
            '</script>',
        ),
    },
  };
}

export default defineConfig({
  root: ROOT,
  // Nothing is copied verbatim: the favicon is inline and every asset goes through the bundler.
  publicDir: false,
  plugins: [react(), devCspNonce()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      // The shell, and the donate page on its own (no Mantine, no router: light on a phone).
      input: {
        index: path.join(ROOT, 'index.html'),
        donate: path.join(ROOT, 'donate.html'),
      },
      output: {
        // Libraries that change rarely get their own long-cached chunks; Mantine stays split by page,
        // so the console's components (tables, modals, app shell) are not downloaded by visitors.
        codeSplitting: {
          groups: [
            // The router apart from React: the donate page loads React alone.
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'router', test: /node_modules[\\/](react-router|cookie|set-cookie-parser)[\\/]/ },
            { name: 'libs', test: /node_modules[\\/](i18next|react-i18next|@tanstack)[\\/]/ },
            // Mantine's positioning library, loaded by the shell: a chunk of its own, long cached, as it was
            // before the web kit made the chunker fold it into the entry (same bytes either way).
            { name: 'floating-ui', test: /node_modules[\\/]@floating-ui[\\/]/ },
          ],
        },
      },
    },
  },
});
