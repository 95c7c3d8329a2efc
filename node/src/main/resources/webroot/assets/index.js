// The start page: create a paper with a random id or open one by id; the name is kept in
// localStorage (shared with the board, see board.js).
import { newId, isValidPaperId } from '/client/rolling-paper.js';
import { loadName, saveName, recentPapers } from '/assets/identity.js';

const nameInput = document.getElementById('name');
const form = document.getElementById('open-form');
const paperInput = document.getElementById('paper-id');
const openError = document.getElementById('open-error');

nameInput.value = loadName();
nameInput.addEventListener('input', () => saveName(nameInput.value));

function go(paperId) {
  saveName(nameInput.value);
  location.href = `/p/${encodeURIComponent(paperId)}`;
}

document.getElementById('create').addEventListener('click', () => go(newId(10)));

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  let id = paperInput.value.trim();
  // accept a pasted link too: https://host/p/ID
  const m = id.match(/\/p\/([^/?#]+)/);
  if (m) id = decodeURIComponent(m[1]);
  if (!isValidPaperId(id)) {
    openError.hidden = false;
    paperInput.setAttribute('aria-invalid', 'true');
    paperInput.focus();
    return;
  }
  go(id);
});
paperInput.addEventListener('input', () => {
  openError.hidden = true;
  paperInput.removeAttribute('aria-invalid');
});

const recent = recentPapers();
if (recent.length) {
  const list = document.getElementById('recent');
  for (const id of recent) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `/p/${encodeURIComponent(id)}`;
    a.textContent = id;
    li.append(a);
    list.append(li);
  }
  document.getElementById('recent-panel').hidden = false;
}
