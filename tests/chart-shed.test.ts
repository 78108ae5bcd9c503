/**
 * The chart thread under load: at most CHARTS_AT_ONCE charts render at once and CHARTS_WAITING
 * wait; a chart past that is shed at once (ChartShedError), the others are still drawn.
 */
import { describe, expect, it } from 'vitest';
import { CHARTS_AT_ONCE, CHARTS_WAITING, ChartShedError, renderPng } from '../src/report/charts/png.js';

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200" fill="#123"/>' +
  '<text x="10" y="100" font-size="20" fill="#fff">LoopLab</text></svg>';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe('renderPng under a burst', () => {
  it('draws the charts it has room for and sheds the rest at once, with a reason', async () => {
    await renderPng(SVG); // the chart thread is up
    const burst = CHARTS_AT_ONCE + CHARTS_WAITING + 10;
    const results = await Promise.allSettled(Array.from({ length: burst }, () => renderPng(SVG)));
    const drawn = results.filter((r) => r.status === 'fulfilled');
    const shed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(drawn).toHaveLength(CHARTS_AT_ONCE + CHARTS_WAITING);
    expect(shed).toHaveLength(10);
    for (const r of shed) {
      expect(r.reason).toBeInstanceOf(ChartShedError);
      expect(String(r.reason.message)).toMatch(/chart shed: \d+ charts rendering and \d+ waiting/);
    }
    for (const r of drawn) expect(r.value.png.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
    // Once the burst is over, charts are drawn again.
    expect((await renderPng(SVG)).png.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
  });
});
