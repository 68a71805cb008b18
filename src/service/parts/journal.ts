import type { PartFactory } from './part.js';

/** The outage journal's file: what the store could not take, kept until it can. Closed after the store. */
export const journalFilePart: PartFactory = ({ journal }) => ({
  name: 'journal-file', underlying: true, open: () => undefined, stop: () => journal.close(),
});

/** Puts what the journal kept during a store outage back into the store: at start, then every second. */
export const journalReplayPart: PartFactory = ({ gateway }) => {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'journal',
    open() {
      timer = setInterval(() => void gateway.replayJournal(), 1_000);
      timer.unref();
      void gateway.replayJournal();
    },
    async stop() {
      clearInterval(timer);
      await gateway.replayJournal();
    },
  };
};
