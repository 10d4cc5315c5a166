import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { About } from './About';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <About />
    </StrictMode>,
  );
}
