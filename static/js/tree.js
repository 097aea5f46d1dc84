// Tree browser toggle: the first click lets htmx load the children; later clicks only
// fold and unfold them. Without JavaScript the link opens the children page instead.
function sotayToggle(link, event) {
  var list = document.getElementById(link.getAttribute("aria-controls"));
  if (link.getAttribute("aria-expanded") === "true") {
    list.hidden = true;
    link.setAttribute("aria-expanded", "false");
    link.textContent = "+";
    event.preventDefault();
    event.stopImmediatePropagation();
    return false;
  }
  link.setAttribute("aria-expanded", "true");
  link.textContent = "−";
  if (list.childElementCount > 0) {
    list.hidden = false;
    event.preventDefault();
    event.stopImmediatePropagation();
    return false;
  }
  list.hidden = false;
  return true;
}
