// Numeric settings from the Worker's vars: a positive integer, or the default when unset or not one.
export const positiveInteger = (text: string | undefined, fallback: number): number => {
  const n = Number(text)
  return text !== undefined && text !== "" && Number.isInteger(n) && n > 0 ? n : fallback
}
