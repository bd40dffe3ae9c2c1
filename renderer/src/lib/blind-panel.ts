// What the Blind test tab (BlindTestPanel.svelte) gives each kind of test it shows, ABX or MUSHRA.

export interface BlindPanelProps {
  /** A stored test of this kind to open at once (unfinished: to go on; a finished MUSHRA: its result). */
  resume?: string | null;
  /** The stored tests changed (one started, finished, or was left), so the list is read again. */
  onChanged: () => void;
  /** Whether a test is open on the page (the kind cannot change, nor another test be resumed, meanwhile). */
  onOpen: (open: boolean) => void;
}
