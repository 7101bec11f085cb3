import { cleanup } from '@testing-library/preact';
import { afterEach } from 'vitest';

// Testing Library unmounts after each test only where test globals exist; vitest runs without.
afterEach(() => cleanup());
