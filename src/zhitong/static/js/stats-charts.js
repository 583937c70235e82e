/* The statistics page's charts (opinions/work/stats.html, opinions/charts.py).
 *
 * The data is the page's JSON (json_script "chart-data"): per chart its groups
 * (categories), its series (name, values, and the queue URL of each value, computed on the
 * server) and whether it is laid on its side or shows percentages. Drawn with ECharts'
 * SVG renderer; the tooltip is drawn inside the chart (renderMode "richText"), not as
 * HTML, so nothing here writes markup or a style attribute (the content security policy
 * allows neither): sizes are set through element.style, which it does not block.
 *
 * A click on a bar opens its list. From the keyboard the chart is one stop: the arrow keys
 * step through the groups (the tooltip shows, and a live region reads, the values), Enter
 * opens the list of the first series' value, the keys 1-9 that of the nth series.
 */
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) {
    return;
  }
  var charts = JSON.parse(source.textContent);
  // Dark enough against white for the 3:1 that WCAG asks of graphics.
  var PALETTE = ["#a61e2d", "#1f5fa8", "#5c636a"];

  function format(value, percent) {
    if (value === null || value === undefined) {
      return "—";
    }
    return percent ? value + "%" : String(value);
  }

  function open(url) {
    if (url) {
      window.location.assign(url);
    }
  }

  function draw(spec) {
    var element = document.getElementById("chart-" + spec.id);
    if (!element) {
      return;
    }
    var count = spec.categories.length;
    var rows = spec.horizontal ? count : 1;
    element.style.height = Math.max(260, rows * 18 * spec.series.length + rows * 10 + 90) + "px";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    var valueAxis = { type: "value", minInterval: spec.percent ? 0 : 1 };
    if (spec.percent) {
      valueAxis.max = 100;
      valueAxis.axisLabel = { formatter: "{value}%" };
    }
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      axisLabel: spec.horizontal ? { width: 160, overflow: "truncate" } : { interval: 0, rotate: count > 6 ? 30 : 0 },
    };
    if (spec.horizontal) {
      categoryAxis.inverse = true;
    }
    chart.setOption({
      color: PALETTE,
      animation: false,
      aria: { enabled: false },
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        axisPointer: { type: "shadow" },
        valueFormatter: function (value) {
          return format(value, spec.percent);
        },
      },
      legend: { top: 0 },
      grid: { left: 8, right: 32, top: 36, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: "bar",
          data: series.data,
          cursor: "pointer",
          barMaxWidth: 28,
          emphasis: { focus: "series" },
        };
      }),
    });
    chart.on("click", function (params) {
      var series = spec.series[params.seriesIndex];
      open(series && series.urls[params.dataIndex]);
    });

    var index = -1;
    var live = document.getElementById("chart-" + spec.id + "-live");
    function show() {
      chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: index });
      if (live) {
        live.textContent =
          spec.categories[index] +
          ": " +
          spec.series
            .map(function (series) {
              return series.name + " " + format(series.data[index], spec.percent);
            })
            .join(", ");
      }
    }
    element.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowRight" || key === "ArrowDown") {
        index = Math.min(count - 1, index + 1);
      } else if (key === "ArrowLeft" || key === "ArrowUp") {
        index = Math.max(0, index - 1);
      } else if (key === "Home") {
        index = 0;
      } else if (key === "End") {
        index = count - 1;
      } else if (key === "Enter" && index >= 0) {
        event.preventDefault();
        open(spec.series[0].urls[index]);
        return;
      } else if (/^[1-9]$/.test(key) && index >= 0 && spec.series[Number(key) - 1]) {
        event.preventDefault();
        open(spec.series[Number(key) - 1].urls[index]);
        return;
      } else {
        return;
      }
      event.preventDefault();
      if (count > 0) {
        show();
      }
    });
    element.addEventListener("blur", function () {
      chart.dispatchAction({ type: "hideTip" });
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  charts.forEach(draw);

  // Print the tables, not the charts: open every folded table first.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.figures-data").forEach(function (details) {
      details.open = true;
    });
  });
})();
