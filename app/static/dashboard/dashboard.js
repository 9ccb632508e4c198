/* Dashboard charts (Chart.js, served from app/static/vendor/chartjs): data comes from
   the page's <script type="application/json" id="dashboard-data">, money in fen. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#3c8dbc", "#f39c12", "#00a65a", "#dd4b39", "#605ca8", "#39cccc", "#d81b60", "#777777"];
  var yuan = function (fen) { return Math.round(fen) / 100; };
  var money = function (value) {
    return "¥" + Number(value).toLocaleString(undefined, {minimumFractionDigits: 2, maximumFractionDigits: 2});
  };
  Chart.defaults.animation = false;  // charts appear at once (and print as they are)
  Chart.defaults.maintainAspectRatio = false;

  var trend = document.getElementById("chart-trend");
  if (trend) {
    new Chart(trend, {
      type: "bar",
      data: {
        labels: data.trend.days.map(function (d) { return d.slice(5); }),
        datasets: data.trend.stores.map(function (store, i) {
          return {label: store.code + " " + store.name, data: store.sales_fen.map(yuan),
                  backgroundColor: palette[i % palette.length], stack: "sales"};
        })
      },
      options: {
        scales: {x: {stacked: true}, y: {stacked: true, ticks: {callback: function (v) { return money(v); }}}},
        plugins: {tooltip: {callbacks: {label: function (c) { return c.dataset.label + ": " + money(c.parsed.y); }}}}
      }
    });
  }
  var tenders = document.getElementById("chart-tenders");
  if (tenders) {
    new Chart(tenders, {
      type: "doughnut",
      data: {labels: data.tenders.labels,
             datasets: [{data: data.tenders.fen.map(yuan), backgroundColor: palette}]},
      options: {plugins: {legend: {position: "bottom"},
                          tooltip: {callbacks: {label: function (c) { return c.label + ": " + money(c.parsed); }}}}}
    });
  }
  var stores = document.getElementById("chart-stores");
  if (stores) {
    new Chart(stores, {
      type: "bar",
      data: {labels: data.stores.labels,
             datasets: [{label: data.text.sales, data: data.stores.fen.map(yuan), backgroundColor: palette[0]}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}},
                scales: {x: {ticks: {callback: function (v) { return money(v); }}}}}
    });
  }
}());
