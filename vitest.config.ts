// The one vitest configuration of the repository (`npm test` runs every package's tests from the root).
// simulator/test/hls-vendor.test.ts needs the vendor's arbitrary-precision headers, which no package registry
// offers: it runs only when QNN_VENDOR_AP names their folder (`npm run test:vendor`), and is otherwise left out of
// the run rather than reported as skipped.
import { configDefaults, defineConfig } from 'vitest/config';

const optIn = process.env.QNN_VENDOR_AP ? [] : ['simulator/test/hls-vendor.test.ts'];

export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, '**/client/e2e/host/**', ...optIn],
  },
});
