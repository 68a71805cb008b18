/**
 * A telephone number partly hidden: enough to tell numbers apart on a screen or a printout,
 * not enough to call the consumer. "+33145678901" → "+3314•••••01".
 */
export function maskNumber(number: string): string {
  if (number.length <= 7) return '•'.repeat(number.length);
  return `${number.slice(0, 5)}${'•'.repeat(number.length - 7)}${number.slice(-2)}`;
}
