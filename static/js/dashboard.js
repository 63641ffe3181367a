// Dashboard charts, drawn with the vendored Chart.js from the figures the server put on the page.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var colors = { hot: "#dc2626", warm: "#d97706", cold: "#2563eb" };
  var percent = { callback: function (v) { return Math.round(v * 100) + "%"; } };

  new Chart(document.getElementById("chart-tiers"), {
    type: "bar",
    data: {
      labels: data.tiers_over_time.labels,
      datasets: ["hot", "warm", "cold"].map(function (tier) {
        return { label: tier, data: data.tiers_over_time.series[tier], backgroundColor: colors[tier] };
      })
    },
    options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });

  function rates(id, rows, prefix) {
    new Chart(document.getElementById(id), {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return prefix + r.label; }),
        datasets: [
          { label: "override rate", data: rows.map(function (r) { return r.override_rate; }), backgroundColor: "#6366f1" },
          { label: "dispute rate", data: rows.map(function (r) { return r.dispute_rate; }), backgroundColor: "#f59e0b" }
        ]
      },
      options: { animation: false, scales: { y: { beginAtZero: true, ticks: percent } } }
    });
  }
  rates("chart-prompt", data.by_prompt_version, "v");
  rates("chart-rep", data.by_rep, "");
})();
