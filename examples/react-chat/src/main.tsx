import { ThreadcastProvider } from '@threadcast/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');

createRoot(root).render(
  <StrictMode>
    {/* Same origin (vite proxies /trpc): the session cookie set by auth.devLogin carries the user. */}
    <ThreadcastProvider url="/trpc">
      <App />
    </ThreadcastProvider>
  </StrictMode>,
);
