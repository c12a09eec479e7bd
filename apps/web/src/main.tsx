import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App.tsx';
import { Providers } from './Providers.tsx';
import 'highlight.js/styles/github.css';
import './styles.css';

// zod would probe `new Function` to speed up parsing; the page's CSP forbids eval, so say so up front.
z.config({ jitless: true });

const root = document.getElementById('root');
if (!root) throw new Error('missing #root element');

createRoot(root).render(
  <StrictMode>
    <Providers>
      <App />
    </Providers>
  </StrictMode>,
);
