export async function serveCommand(_opts: { config?: string; db?: string }): Promise<number> {
  return 0;
}
