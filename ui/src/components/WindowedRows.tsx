import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, type Ref, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/**
 * What a windowed row must put on its `<tr>` so that its height is measured; the same object for the
 * same index each render, so a memoised row compares it by identity.
 */
export interface RowMeasure {
  ref: Ref<HTMLTableRowElement>;
  'data-index': number;
}

/**
 * The rows of a long table body with only those near the viewport in the DOM: two spacer rows
 * stand for the others, so the page scrolls as though every row were there and a table of thousands
 * costs what a screenful does. Rows are measured once drawn (at phone width they become cards of
 * another height). `onNearEnd` is called when the last rows come near the viewport: the place to
 * fetch the next page.
 */
export function WindowedRows<T>({
  items,
  rowKey,
  estimatedRowHeight,
  columns,
  renderRow,
  onNearEnd,
}: {
  items: readonly T[];
  rowKey: (item: T) => string;
  estimatedRowHeight: number;
  /** How many cells a row has, for the spacers' one cell. */
  columns: number;
  renderRow: (item: T, measure: RowMeasure) => ReactNode;
  onNearEnd?: () => void;
}) {
  const topSpacer = useRef<HTMLTableRowElement>(null);
  // Where the body starts on the page: rows are placed relative to it, the viewport to the window.
  // Read when rows arrive and when the window is resized, not on every render: the read forces a
  // layout, and renders come with every scrolled frame. Content above that grows later shifts the
  // rows chosen by a few pixels, which the overscan covers.
  const [bodyTop, setBodyTop] = useState(0);
  const measureBodyTop = useCallback(() => {
    const spacer = topSpacer.current;
    if (spacer) setBodyTop(Math.round(spacer.getBoundingClientRect().top + window.scrollY));
  }, []);
  const loaded = items.length;
  useLayoutEffect(() => {
    if (loaded > 0) measureBodyTop();
  }, [loaded, measureBodyTop]);
  useEffect(() => {
    window.addEventListener('resize', measureBodyTop);
    return () => window.removeEventListener('resize', measureBodyTop);
  }, [measureBodyTop]);

  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => estimatedRowHeight,
    overscan: 6,
    scrollMargin: bodyTop,
    // A row's size comes from the ResizeObserver, after the browser has laid the page out. Read in
    // the row's ref instead (the library's default), it would force that layout in the middle of
    // React's commit and make the first render one long task.
    measureElement: (element, entry, instance) => {
      const box = entry?.borderBoxSize[0];
      if (box) return Math.round(box.blockSize);
      const key = instance.options.getItemKey(instance.indexFromElement(element));
      return instance.itemSizeCache.get(key) ?? estimatedRowHeight;
    },
    getItemKey: (index) => {
      const item = items[index];
      return item === undefined ? index : rowKey(item);
    },
  });
  // One measure object per row index for the table's life, so that memoised rows see the same props.
  const measures = useRef(new Map<number, RowMeasure>());
  const measureOf = (index: number): RowMeasure => {
    let measure = measures.current.get(index);
    if (!measure) {
      measure = { ref: virtualizer.measureElement, 'data-index': index };
      measures.current.set(index, measure);
    }
    return measure;
  };
  const shown = virtualizer.getVirtualItems();
  const first = shown[0];
  const last = shown.at(-1);
  const above = first ? first.start - bodyTop : 0;
  const below = last ? virtualizer.getTotalSize() - (last.end - bodyTop) : 0;

  const lastIndex = last?.index ?? -1;
  const nearEnd = useRef(onNearEnd);
  nearEnd.current = onNearEnd;
  useEffect(() => {
    if (items.length > 0 && lastIndex >= items.length - 10) nearEnd.current?.();
  }, [lastIndex, items.length]);

  return (
    <>
      {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row holds no content and no focus; it only stands for rows not drawn */}
      <tr ref={topSpacer} className="spacer-row" aria-hidden="true">
        <td colSpan={columns} style={{ height: above }} />
      </tr>
      {shown.map((row) => {
        const item = items[row.index];
        return item === undefined ? null : renderRow(item, measureOf(row.index));
      })}
      {below > 0 && (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: as the top spacer
        <tr className="spacer-row" aria-hidden="true">
          <td colSpan={columns} style={{ height: below }} />
        </tr>
      )}
    </>
  );
}
