import { Rng } from "@app/samples/random";
import { describe, expect, it } from "vitest";

describe("Rng", () => {
  it("gives the same sequence for the same seed and a different one for another seed", () => {
    const draw = (seed: number | string) => {
      const r = new Rng(seed);
      return Array.from({ length: 6 }, () => r.u32());
    };
    expect(draw(7)).toStrictEqual(draw(7));
    expect(draw("seven")).toStrictEqual(draw("seven"));
    expect(draw(7)).not.toStrictEqual(draw(8));
    // Pinned: the generator's arithmetic must not drift between versions or machines.
    expect(draw(7)).toStrictEqual([838155491, 1550620431, 3610122010, 3621410451, 1671033217, 2289101469]);
  });

  it("runs mulberry32 exactly as the fixture lake was generated with it", () => {
    // Prepare
    const r = new Rng(20240308, "mulberry32");
    const forked = (seed: number) => new Rng(seed, "mulberry32").fork("x");
    // Act
    const draws = Array.from({ length: 6 }, () => r.u32());
    // Assess: pinned, since the committed fixture logs and their expected query results depend on these values.
    expect(draws).toStrictEqual([512057129, 3996994820, 450633274, 4282130940, 47891786, 2032248858]);
    expect(forked(1).u32()).toBe(forked(1).u32());
    expect(forked(1).u32()).not.toBe(new Rng(1).fork("x").u32());
  });

  it("keeps ints in range and uuids in version-4 form", () => {
    const r = new Rng(1);
    for (let i = 0; i < 2000; i++) {
      const n = r.int(-3, 3);
      expect(n >= -3 && n <= 3 && Number.isInteger(n)).toBe(true);
    }
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
