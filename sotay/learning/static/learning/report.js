/* The score distribution chart; the table under it stays the accessible fallback. */
(function () {
  "use strict";
  var source = document.getElementById("learn-chart");
  var canvas = document.querySelector("canvas[data-chart=scores]");
  if (!source || !canvas || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var box = canvas.parentElement;
  box.hidden = false;
  box.style.height = "220px";
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ data: data.counts, backgroundColor: "#b3140f", borderRadius: 3, maxBarThickness: 48 }] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
