/**
 * Small real files for the demo agents to send back: a one-page PDF (Latin text in Helvetica,
 * Chinese in the standard Adobe-GB1 font every PDF viewer knows, so nothing is embedded) and a
 * PNG bar chart. Written from the file formats' specifications; no dependencies.
 */
import { crc32, deflateSync } from 'node:zlib';

// ---- PDF ------------------------------------------------------------------------------------

/** UTF-16BE code units as a PDF hex string (the UniGB-UCS2-H encoding); characters outside the BMP become "?". */
function ucs2(text: string): string {
  let hex = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    hex += (code > 0xffff ? 0x3f : code).toString(16).padStart(4, '0');
  }
  return `<${hex}>`;
}

/** A literal PDF string for printable ASCII. */
function latin(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** A line as text-showing operators: ASCII runs in Helvetica (F2), everything else in STSong (F1). */
function showLine(text: string, size: number): string {
  const runs = text.match(/[\x20-\x7e]+|[^\x20-\x7e]+/g) ?? [];
  return runs.map((run) => (/^[\x20-\x7e]/.test(run) ? `/F2 ${size} Tf ${latin(run)} Tj` : `/F1 ${size} Tf ${ucs2(run)} Tj`)).join(' ');
}

export interface PdfLine {
  text: string;
  /** Font size in points; default 11. */
  size?: number;
  /** Space before this line, in points; default 1.6 × size. */
  gap?: number;
}

/** An A4 page with a blue title band and lines of text. */
export function makePdf(title: string, lines: PdfLine[]): Buffer {
  const ops: string[] = ['0 0.537 1 rg 0 780 595 62 re f', 'BT', '1 1 1 rg', `50 802 Td ${showLine(title, 20)}`, 'ET'];
  let y = 750;
  let first = true;
  for (const line of lines) {
    const size = line.size ?? 11;
    y -= first ? 0 : (line.gap ?? size * 1.6);
    first = false;
    // One text object per line: each starts at the left margin whatever the fonts advanced.
    ops.push('BT', '0.09 0.1 0.11 rg', `50 ${y} Td ${showLine(line.text, size)}`, 'ET');
  }
  const content = ops.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 8 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) pdf += `${String(off).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

// ---- PNG ------------------------------------------------------------------------------------

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

type Rgb = [number, number, number];

/** An RGB image drawn by `paint(x, y)`, encoded as PNG. */
export function makePng(width: number, height: number, paint: (x: number, y: number) => Rgb): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = paint(x, y);
      raw[o++] = r;
      raw[o++] = g;
      raw[o++] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A progress chart: one bar per value (0–1), in DingTalk blue, on a light grid. */
export function makeBarChart(values: number[], width = 480, height = 270): Buffer {
  const pad = 28;
  const plotH = height - pad * 2;
  const slot = (width - pad * 2) / values.length;
  const barW = Math.floor(slot * 0.56);
  return makePng(width, height, (x, y) => {
    const inPlot = x >= pad && x < width - pad && y >= pad && y < height - pad;
    if (!inPlot) return [250, 251, 252];
    const i = Math.floor((x - pad) / slot);
    const left = pad + i * slot + (slot - barW) / 2;
    const top = height - pad - plotH * Math.max(0, Math.min(1, values[i] ?? 0));
    if (x >= left && x < left + barW && y >= top) return i === values.length - 1 ? [21, 188, 131] : [0, 137, 255];
    if ((y - pad) % Math.round(plotH / 4) === 0) return [229, 230, 235];
    return [255, 255, 255];
  });
}

/** Width and height of a PNG, JPEG or GIF, when the header tells. */
export function imageSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47) return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (data.length >= 10 && data.toString('latin1', 0, 3) === 'GIF') return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let i = 2;
    while (i + 9 < data.length) {
      if (data[i] !== 0xff) return undefined;
      const marker = data[i + 1]!;
      const length = data.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
        return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
      i += 2 + length;
    }
  }
  return undefined;
}
