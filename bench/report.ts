import type { LoadResult } from './load-result.ts';
import type { Verdict } from './targets.ts';

export function loadTable(loads: Readonly<Record<string, LoadResult>>): string {
  const rows = Object.entries(loads).map(([name, r]) => {
    const cpu = Object.entries(r.cpuPerRequest)
      .map(([process, micros]) => `${process} ${Math.round(micros)}`)
      .join(', ');
    return `| ${name} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${cpu} | ${r.failures} |`;
  });
  return ['| workload | req/s | p50 ms | p99 ms | CPU µs/req | failures |', '|---|---:|---:|---:|---|---:|', ...rows].join('\n');
}

export function verdictTable(verdicts: readonly Verdict[]): string {
  const rows = verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.pass ? 'PASS' : 'MISS'} |`);
  return ['| target | measured | result |', '|---|---|---|', ...rows].join('\n');
}

/** Bars of measured / required per target; the line at 1 is the target. */
export function verdictChart(verdicts: readonly Verdict[], title: string): string {
  const rowHeight = 26;
  const labelWidth = 380;
  const barWidth = 360;
  const maxScore = Math.max(2, ...verdicts.map((v) => Math.min(v.score, 4)));
  const scale = (score: number) => (Math.min(score, 4) / maxScore) * barWidth;
  const height = 50 + verdicts.length * rowHeight;
  const bars = verdicts.map((v, i) => {
    const y = 40 + i * rowHeight;
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(v.target)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${scale(v.score).toFixed(1)}" height="16" fill="${v.pass ? '#3a9d5d' : '#c8553d'}"/>`,
      `<text x="${labelWidth + scale(v.score) + 6}" y="${y + 15}">${v.score.toFixed(2)}</text>`,
    ].join('');
  });
  const targetX = labelWidth + scale(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 60}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...bars,
    `<line x1="${targetX}" y1="34" x2="${targetX}" y2="${height - 6}" stroke="black" stroke-dasharray="4 3"/>`,
    `<text x="${targetX + 4}" y="32">target = 1</text>`,
    '</svg>',
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
