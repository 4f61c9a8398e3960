// What the charts draw, as plain data: computed here (and tested in jsdom), drawn by uPlot in the browser.

/** One line of a chart: the field it reads, its legend and its colour. */
export interface SeriesSpec<Field extends string> {
  key: Field
  label: string
  color: string
}

/** uPlot's columnar data: x values (Unix seconds), then one column per series, in the series' order. */
export type Columns = [number[], ...number[][]]

/** A row of an API list with a time (`date` YYYY-MM-DD or `at` ISO) and numeric counters. */
type Row<Field extends string> = Record<Field, number>

/** Seconds since the epoch of an API date or timestamp (dates are UTC days, as the counters are). */
export function toSeconds(value: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value
  return Math.floor(Date.parse(iso) / 1000)
}

/** The API's rows (oldest first) as uPlot columns: x from `time(row)`, then each series' counter. */
export function toColumns<Field extends string, R extends Row<Field>>(
  rows: R[],
  time: (row: R) => string,
  series: Array<SeriesSpec<Field>>,
): Columns {
  return [rows.map((row) => toSeconds(time(row))), ...series.map(({ key }) => rows.map((row) => row[key] ?? 0))]
}

/** Each series' total over the period: the summary next to the canvas. */
export function totals<Field extends string>(rows: Array<Row<Field>>, series: Array<SeriesSpec<Field>>) {
  return series.map(({ key, label }) => ({ key, label, total: rows.reduce((sum, row) => sum + (row[key] ?? 0), 0) }))
}
