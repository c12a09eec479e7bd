import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: {
    // `pnpm dev`: the server runs on 3000 and streams must not be buffered by the proxy.
    proxy: { '/trpc': { target: 'http://localhost:3000', changeOrigin: false } },
  },
  build: { target: 'es2022', sourcemap: true },
});
