// A progress bar on stderr for long runs (cli-progress), shown only on a terminal and only after half a second.
import cliProgress from 'cli-progress';

export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly quiet: boolean,
  ) {}

  update(done: number, total = this.total): void {
    if (this.quiet || !process.stderr.isTTY) return;
    if (!this.bar) {
      if (Date.now() - this.started < 500) return;
      this.bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'simulating [{bar}] {percentage}% | {value}/{total} samples | {eta_formatted} left', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, done);
    }
    this.bar.setTotal(total);
    this.bar.update(done);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
