import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DonateApp } from './donate-app';
import './donate.css';

// The donate page's own entry (donate.html): none of the console shell is loaded here.
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <DonateApp />
    </StrictMode>,
  );
