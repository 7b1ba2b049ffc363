// Entry point of the fraud operations console.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
// One look for the portal and the console: the portal's stylesheet, plus what only the desk needs.
import '../../portal/src/style.css';
import './console.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
