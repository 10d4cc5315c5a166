/**
 * QR codes of the one-scan setup's address (docs/dingtalk-protocol.md §11), drawn by the `qrcode`
 * library: as SVG for pages (the renderer shows it as an image, knowing nothing of Node) and as
 * block characters for a terminal.
 */
import QRCode from 'qrcode';

/** An SVG document; a light margin keeps it scannable on a dark page. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
}

/** For an <img>: the renderer's CSP admits data: images only. */
export async function qrDataUrl(text: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(text)).toString('base64')}`;
}

/** Half-block characters with the colours set explicitly, so it scans on dark and light terminals. */
export function qrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
