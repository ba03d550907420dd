interface DownloadButtonProps {
  readonly label: string;
  readonly fileName: string;
  readonly content: () => string;
}

/** Saves text as a file from memory (a Blob), so that nothing secret goes through a URL or the server. */
export function DownloadButton({ label, fileName, content }: DownloadButtonProps) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([content()], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once it started; the object URL would otherwise live as long as the page.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <button type="button" class="primary" onClick={download}>
      {label}
    </button>
  );
}
