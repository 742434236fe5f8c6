// The only script of the console: "select all" on a worklist. Every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("tutte");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll('input[name="voce"]').forEach(function (box) { box.checked = all.checked; });
  });
});
