import { LoadGeneratorProcess } from './load-generator-process.ts';

/** Load generator children kept alive across steps (starting one costs about a second); a dead one is replaced. */
export class LoadGeneratorPool {
  private readonly generators: LoadGeneratorProcess[] = [];

  async acquire(count: number): Promise<LoadGeneratorProcess[]> {
    for (let i = 0; i < count; i += 1) {
      const current = this.generators[i];
      if (!current?.alive) this.generators[i] = await LoadGeneratorProcess.start();
    }
    return this.generators.slice(0, count);
  }

  async stop(): Promise<void> {
    await Promise.all(this.generators.map((generator) => generator.stop()));
    this.generators.length = 0;
  }
}
