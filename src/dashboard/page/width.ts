/**
 * An element's width, kept up to date by a ResizeObserver: reading clientWidth on every render
 * would force a layout each time (the text around it changes as often).
 */
export class TrackedWidth {
  private current: number;

  constructor(element: HTMLElement, onChange: () => void) {
    this.current = element.clientWidth;
    new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? this.current);
      if (w !== this.current) {
        this.current = w;
        onChange();
      }
    }).observe(element);
  }

  get width(): number {
    return this.current;
  }
}
