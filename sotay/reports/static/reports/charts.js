/* Horizontal bar charts of the statistics page. The data come from the
   #stats-charts JSON; each chart's table stays under it as the accessible
   fallback, and the chart boxes stay hidden when this script or Chart.js
   does not run. */
(function () {
  "use strict";

  var number = new Intl.NumberFormat("vi-VN");

  // Axis labels longer than this wrap onto two lines (a 390 px phone).
  function wrap(label) {
    if (label.length <= 16 || label.indexOf(" ") < 0) return label;
    var middle = Math.floor(label.length / 2);
    var left = label.lastIndexOf(" ", middle);
    var right = label.indexOf(" ", middle);
    var at = left < 0 ? right : right < 0 ? left : middle - left <= right - middle ? left : right;
    return [label.slice(0, at), label.slice(at + 1)];
  }

  // The count written at the end of each bar: read at a glance, no tooltip needed.
  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "600 14px system-ui, sans-serif";
      ctx.fillStyle = "#1b1b1b";
      ctx.textBaseline = "middle";
      chart.getDatasetMeta(0).data.forEach(function (bar, i) {
        ctx.fillText(number.format(chart.data.datasets[0].data[i]), bar.x + 6, bar.y);
      });
      ctx.restore();
    },
  };

  function draw(canvas, data) {
    var box = canvas.parentElement;
    box.hidden = false;
    box.style.height = data.labels.length * 40 + 30 + "px";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels.map(wrap),
        datasets: [{ data: data.counts, backgroundColor: "#b3140f", borderRadius: 3, maxBarThickness: 28 }],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: 8 } },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return number.format(item.raw); } } },
        },
        scales: {
          x: {
            beginAtZero: true,
            grace: "18%",
            ticks: { precision: 0, maxTicksLimit: 4, callback: function (v) { return number.format(v); } },
          },
          y: { ticks: { autoSkip: false, color: "#1b1b1b", font: { size: 14 } }, grid: { display: false } },
        },
      },
      plugins: [valueLabels],
    });
  }

  function init() {
    var source = document.getElementById("stats-charts");
    if (!source || !window.Chart) return;
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = charts[canvas.getAttribute("data-chart")];
      if (data) draw(canvas, data);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
