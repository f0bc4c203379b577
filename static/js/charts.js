/* Draws each page's charts with the vendored ECharts from the JSON the page embeds (json_script).
   The tables beside every chart carry the same data, so readers without JavaScript or with a
   screen reader lose nothing; this script only adds the picture and the click-through. */
(function () {
  "use strict";

  var ACCENT = "#9b2c2c";
  var PALETTE = ["#9b2c2c", "#2b6cb0", "#2f855a", "#b7791f", "#6b46c1", "#c05621", "#319795", "#702459"];
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var BASE = { textStyle: { fontFamily: FONT }, animation: !REDUCED_MOTION, animationDuration: 300 };

  window.archiveCharts = {};

  function extend(target, source) {
    Object.keys(source).forEach(function (key) { target[key] = source[key]; });
    return target;
  }

  function escapeText(text) {
    // Tooltips are HTML: names come from the archive's data and must stay text.
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  /* A click anywhere in a year's column, not only on its (possibly empty) bar. */
  function onColumnClick(chart, handler) {
    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) return;
      var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      if (index != null && index >= 0) handler(index);
    });
  }

  var builders = {
    /* Term trends: a line per term (a bar per place when by province or city), rate per 10,000
       characters; a click on a point opens the search for that term there. */
    trends: function (data, el, chart) {
      var byYear = data.by === "year";
      chart.on("click", function (params) {
        var series = data.series[params.seriesIndex];
        var key = data.keys[params.dataIndex];
        if (!series || !key) return;
        window.location.href = data.search_url + "?q=" + encodeURIComponent(series.term) +
          "&" + encodeURIComponent(data.filter) + "=" + encodeURIComponent(key);
      });
      return {
        color: PALETTE,
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            return escapeText(items[0].axisValue) + "<br>" + items.map(function (item) {
              var series = data.series[item.seriesIndex];
              return escapeText(series.name) + "：" + item.value + "（" + series.hits[item.dataIndex] + "）";
            }).join("<br>");
          }
        },
        legend: { top: 0, left: 0 },
        grid: { left: 8, right: 12, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.labels, axisLabel: { rotate: byYear ? 0 : 40 } },
        yAxis: { type: "value" },
        series: data.series.map(function (series) {
          return { type: byYear ? "line" : "bar", name: series.name, data: series.rates, cursor: "pointer",
                   symbolSize: 8, barMaxWidth: 24 };
        })
      };
    },
    timeline: function (data, el, chart) {
      var years = data.years.map(String);
      onColumnClick(chart, function (index) {
        if (!data.anchors[index]) return;
        var target = document.getElementById("y" + years[index]);
        if (target) {
          history.replaceState(null, "", "#y" + years[index]);
          target.scrollIntoView({ behavior: "smooth", block: "start" });
        }
      });
      return {
        color: [ACCENT, "#8a94a3"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: {
          top: 0, left: 0,
          data: data.series.map(function (series) { return series.name; })
            .concat(data.reports.length ? [{ name: data.reportLabel, icon: "rect" }] : [])
        },
        grid: { left: 8, right: 12, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: years, axisTick: { alignWithLabel: true } },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (series) {
          return { type: "bar", name: series.name, stack: "year", data: series.data, barMaxWidth: 28, cursor: "pointer" };
        }).concat(data.reports.length ? [reportSpans(data)] : [])
      };
    },

    "category-counts": function (data, el, chart) {
      // A bar opens that city's passages in that area, in the comparison itself.
      chart.on("click", function (params) {
        var city = data.cities[params.seriesIndex];
        if (!city) return;
        var url = data.compareUrl + "&category=" + encodeURIComponent(data.categorySlugs[params.dataIndex]);
        if (data.perYear) url += "&per=year";
        window.location.href = url + "#city-" + encodeURIComponent(city.slug);
      });
      return {
        // Each city has its own colour (archive/charts.py), the same in every comparison.
        color: data.cities.map(function (city) { return city.colour; }),
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0, left: 0 },
        grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: data.perYear ? 0 : 1, position: "top" },
        yAxis: { type: "category", data: data.categories, inverse: true, axisTick: { show: false } },
        series: data.cities.map(function (city) {
          return { type: "bar", name: city.name, data: city.data, barMaxWidth: 12, barGap: "10%", cursor: "pointer" };
        })
      };
    },

    diffusion: function (data) {
      var years = data.years.map(String);
      // Cities whose year is only their report's ("no later than") are drawn hollow, stacked on the
      // dated ones: they adopted by that year, perhaps years before.
      var noLaterThan = data.noLaterThanCities || years.map(function () { return []; });
      return {
        color: [ACCENT, "#d8a39a", "#f6e3df"],
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var index = items[0].dataIndex;
            var lines = ["<strong>" + escapeText(years[index]) + "</strong>",
              escapeText(data.cumulativeLabel) + " " + data.cumulative[index]];
            if (data.newCities[index].length) {
              lines.push(escapeText(data.newLabel) + " " + data.newCities[index].map(escapeText).join("、"));
            }
            if (noLaterThan[index].length) {
              lines.push(escapeText(data.noLaterThanLabel) + " " + noLaterThan[index].map(escapeText).join("、"));
            }
            return lines.join("<br>");
          }
        },
        legend: { top: 0, left: 0 },
        grid: { left: 8, right: 16, top: 64, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: years, boundaryGap: true },
        yAxis: [
          { type: "value", minInterval: 1 },
          { type: "value", min: 0, max: 100, splitLine: { show: false }, axisLabel: { formatter: "{value}%" } }
        ],
        series: [
          { type: "line", name: data.cumulativeLabel, step: "end", data: data.cumulative, symbolSize: 8, areaStyle: { opacity: 0.12 } },
          { type: "bar", name: data.newLabel, stack: "new", data: data.newCities.map(function (cities) { return cities.length; }), barMaxWidth: 24 },
          {
            type: "bar", name: data.noLaterThanLabel, stack: "new", barMaxWidth: 24,
            itemStyle: { color: "#f6e3df", borderColor: ACCENT, borderWidth: 1.5, borderType: "dashed" },
            data: noLaterThan.map(function (cities) { return cities.length; })
          }
        ].concat(data.share && data.share.length ? [{
          // Adopters as a share of the cities with reports by then: a missing report is not non-adoption.
          type: "line", name: data.shareLabel, yAxisIndex: 1, data: data.share, symbol: "diamond", symbolSize: 7,
          lineStyle: { type: "dotted", width: 2 }, itemStyle: { color: "#2b6cb0" }, connectNulls: true
        }] : [])
      };
    },

    "adoption-map": function (data, el, chart) {
      var regions = {};
      data.points.forEach(function (point) { regions[point.region] = true; });
      chart.on("click", function (params) {
        if (params.seriesType === "scatter" && params.data && params.data.url) window.location.href = params.data.url;
      });
      return {
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            if (params.seriesType !== "scatter") return escapeText(params.name);
            var year = params.data.yearLabel || (params.value[2] == null ? data.unknownYear : params.value[2]);
            return "<strong>" + escapeText(params.name) + "</strong><br>" + escapeText(year);
          }
        },
        legend: { bottom: 0, left: 0, data: [data.datedLabel, data.noLaterThanLabel] },
        geo: {
          map: "china",
          roam: true,
          scaleLimit: { min: 1, max: 8 },
          layoutCenter: ["50%", "55%"],
          layoutSize: "115%",
          label: { show: false },
          itemStyle: { areaColor: "#f1efe9", borderColor: "#b9b3a7" },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#f6e7e3" } },
          regions: Object.keys(regions).map(function (name) {
            return { name: name, itemStyle: { areaColor: "#f3d9d3" } };
          })
        },
        // Filled: the reports state (or their context gives) the year; hollow: only "no later than"
        // the report's year.
        series: [false, true].map(function (hollow) {
          return {
            type: "scatter",
            name: hollow ? data.noLaterThanLabel : data.datedLabel,
            coordinateSystem: "geo",
            // emptyCircle draws the ring in the series colour, in the legend too.
            symbol: hollow ? "emptyCircle" : "circle",
            symbolSize: 11,
            cursor: "pointer",
            itemStyle: hollow ? { color: ACCENT, borderWidth: 2 } : { color: ACCENT, borderColor: "#fff", borderWidth: 1 },
            label: { show: true, position: "right", formatter: "{b}", color: "#1f2328", fontSize: 12 },
            data: data.points.map(function (point, index) {
              if (Boolean(point.noLaterThan) !== hollow) return null;
              return { name: point.name, value: point.value, url: point.url, yearLabel: point.yearLabel, label: { position: labelSide(data.points, index) } };
            }).filter(Boolean)
          };
        })
      };
    }
  };

  /* The years the city's reports cover, shaded. Named in the legend rather than by a label inside
     the shading, which a one-year report (长春, 2020) is too narrow to hold: the label was clipped. */
  function reportSpans(data) {
    return {
      type: "line",
      name: data.reportLabel,
      data: [],
      itemStyle: { color: "rgba(155, 44, 44, 0.25)" },
      markArea: {
        silent: false,
        itemStyle: { color: "rgba(155, 44, 44, 0.07)" },
        label: { show: false },
        tooltip: { formatter: function (params) { return escapeText(params.name); } },
        data: data.reports.map(function (report) {
          return [{ name: report.name, xAxis: String(report.start) }, { xAxis: String(report.end) }];
        })
      }
    };
  }

  /* ECharts 4 does not move overlapping labels. Of cities close together (株洲 and 湘潭 are 40 km
     apart, their dots touch), the easternmost is named to its right, the westernmost to its left,
     and any between them above or below, so that no name runs over a neighbour's dot or name. */
  function labelSide(points, index) {
    var here = points[index].value;
    var east = 0, west = 0, near = 0;
    points.forEach(function (point, i) {
      if (i === index) return;
      var dx = point.value[0] - here[0], dy = point.value[1] - here[1];
      if (dx * dx + dy * dy >= 2.25) return;
      near++;
      if (dx > 0 || (dx === 0 && i > index)) east++;
      else west++;
    });
    if (!near || !east) return "right";
    if (!west) return "left";
    return index % 2 ? "bottom" : "top";
  }

  function sizeFor(name, data) {
    if (name === "category-counts") {
      // one policy area (the comparison narrowed to it) needs a short chart, all fifteen a tall one
      return Math.max(data.categories.length > 3 ? 320 : 140, data.categories.length * (data.cities.length * 11 + 14) + 60);
    }
    return null;
  }

  function draw(el) {
    var name = el.getAttribute("data-chart");
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!builders[name] || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var height = sizeFor(name, data);
    if (height) el.style.height = height + "px";
    el.hidden = false;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(extend(extend({}, BASE), builders[name](data, el, chart)));
    window.archiveCharts[name] = chart;
    el.setAttribute("data-rendered", "1");
    // With a chart drawn, its data table folds away behind a disclosure but stays available.
    var table = el.parentNode.querySelector("details.chart-data");
    if (table) table.open = false;
  }

  function start(el) {
    var mapUrl = el.getAttribute("data-map-url");
    if (!mapUrl) return draw(el);
    if (echarts.getMap("china")) return draw(el);
    fetch(mapUrl)
      .then(function (response) {
        if (!response.ok) throw new Error("map " + response.status);
        return response.json();
      })
      .then(function (geoJson) {
        echarts.registerMap("china", geoJson);
        draw(el);
      })
      .catch(function () { /* the table of cities below stays the way to read the data */ });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("div.chart[data-chart]"), start);
    var pending;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        Object.keys(window.archiveCharts).forEach(function (name) { window.archiveCharts[name].resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
