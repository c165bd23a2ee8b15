// onrecord article page: selecting a highlight shows its source's profile in the side panel.
// Works from the server-rendered, escaped profile cards: no data is parsed from the page text.
(function () {
  "use strict";

  const panel = document.getElementById("profile-panel");
  if (!panel) return;
  const slot = panel.querySelector(".profile-slot");
  const text = document.getElementById("story-text");

  function clearMarks() {
    document.querySelectorAll(".hl.active, .hl.related").forEach(function (el) {
      el.classList.remove("active", "related");
    });
  }

  function markAttributions(target) {
    const ids = (target.dataset.attributions || "").split(" ").filter(Boolean);
    const sourceId = target.dataset.source;
    text.querySelectorAll(".hl").forEach(function (el) {
      const theirs = (el.dataset.attributions || "").split(" ");
      if (ids.some(function (id) { return theirs.includes(id); }) || (sourceId && el.dataset.source === sourceId)) {
        el.classList.add("related");
      }
    });
    target.classList.add("active");
  }

  function showSource(sourceId, trigger) {
    const card = document.getElementById("src-" + sourceId);
    if (!card) return false;
    const copy = card.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    slot.replaceChildren(copy);
    panel.hidden = false;
    clearMarks();
    if (trigger && trigger.classList.contains("hl")) markAttributions(trigger);
    return true;
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest("a.hl[data-source], a.source-ref[data-source]");
    if (!target) return;
    if (showSource(target.dataset.source, target)) event.preventDefault();
  });

  // Hovering previews the profile without moving focus.
  text.addEventListener("mouseover", function (event) {
    const target = event.target.closest("a.hl[data-source]");
    if (target && !target.classList.contains("active")) showSource(target.dataset.source, target);
  });

  panel.querySelector(".close-panel").addEventListener("click", function () {
    panel.hidden = true;
    clearMarks();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      panel.hidden = true;
      clearMarks();
    }
  });
})();
