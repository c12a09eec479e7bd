import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app and its threadcast server share an origin through this proxy, so the session cookie just works.
// THREADCAST_URL is where the server listens (its default port is 3000).
const proxy = {
  '/trpc': { target: process.env.THREADCAST_URL ?? 'http://127.0.0.1:3000', changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
});
