/**
 * The suggested DingTalk application icon, drawn here so the wizard can offer it without
 * shipping a binary: shown as SVG, downloaded as a 512×512 PNG (what the console accepts).
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1f6feb"/><stop offset="1" stop-color="#0a3d91"/></linearGradient></defs>
<rect width="512" height="512" rx="112" fill="url(#g)"/>
<path d="M128 170a42 42 0 0 1 42-42h172a42 42 0 0 1 42 42v118a42 42 0 0 1-42 42H238l-66 54v-54h-2a42 42 0 0 1-42-42z" fill="#fff"/>
<circle cx="204" cy="229" r="22" fill="#1f6feb"/><circle cx="256" cy="229" r="22" fill="#1f6feb"/><circle cx="308" cy="229" r="22" fill="#1f6feb"/>
<circle cx="392" cy="388" r="52" fill="#36c26b" stroke="#fff" stroke-width="14"/>
<path d="M370 388l16 16 30-32" fill="none" stroke="#fff" stroke-width="14" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

const DATA_URL = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}`;

export function AppIconPreview({ alt, size = 96 }: { alt: string; size?: number }) {
  return <img src={DATA_URL} width={size} height={size} alt={alt} className="app-icon" />;
}

/** Rasterizes the icon and hands it to the browser as a download. */
export async function downloadAppIcon(fileName = 'cccc-bot-icon.png'): Promise<void> {
  const img = new Image();
  img.src = DATA_URL;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = 512;
  canvas.height = 512;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas unavailable');
  ctx.drawImage(img, 0, 0, 512, 512);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('PNG encoding failed');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the blob to the download manager; the URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
