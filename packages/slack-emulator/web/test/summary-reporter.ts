import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Writes the page's test counts to $COFFEEBUDDY_TEST_RESULTS/slack-emulator-web.json, as the
 * jest preset's summary reporter does for every package, so scripts/test.sh's closing
 * "N passed, N failed" line counts them too.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const dir = process.env.COFFEEBUDDY_TEST_RESULTS;
    if (!dir) return;
    const summary = { package: 'slack-emulator-web', passed: 0, failed: unhandledErrors.length, skipped: 0 };
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) summary.failed += 1;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') summary.passed += 1;
        else if (state === 'failed') summary.failed += 1;
        else summary.skipped += 1;
      }
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'slack-emulator-web.json'), JSON.stringify(summary));
  }
}
