/** Entry point of the web console. */

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { followInputModality } from './input-modality';
import './styles.css';

followInputModality();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
