// The seizure report form: add and remove rows (items, route legs, persons) by cloning the
// <template> elements, keep the subcategory and unit selects to what fits the chosen category,
// and offer the time zones of the chosen country for the seizure time. Without this script the add/remove
// buttons submit the form and the server redraws it; the server validates everything either way.
(function () {
  "use strict";

  var form = document.querySelector("form[data-report-form]");
  if (!form) {
    return;
  }
  var unitDimensions = JSON.parse(form.getAttribute("data-unit-dimensions") || "{}");
  var zones = JSON.parse(form.getAttribute("data-zones") || "{}");

  function rowList(kind) {
    return form.querySelector('[data-rows="' + kind + '"]');
  }

  function renumber(kind) {
    var rows = rowList(kind).querySelectorAll('[data-row="' + kind + '"]');
    rows.forEach(function (row, position) {
      var number = row.querySelector("[data-row-number]");
      if (number) {
        number.textContent = String(position + 1);
      }
    });
  }

  function addRow(kind) {
    var list = rowList(kind);
    var template = document.getElementById(kind + "-row-template");
    var index = parseInt(list.getAttribute("data-next-index"), 10) || 0;
    list.setAttribute("data-next-index", String(index + 1));
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("*").forEach(function (element) {
      Array.prototype.forEach.call(element.attributes, function (attribute) {
        if (attribute.value.indexOf("__index__") !== -1) {
          element.setAttribute(attribute.name, attribute.value.split("__index__").join(String(index)));
        }
      });
    });
    var row = fragment.firstElementChild;
    list.appendChild(fragment);
    renumber(kind);
    if (kind === "items") {
      filterItemRow(row, false);
    }
    var first = row.querySelector("select, input:not([type=hidden]), textarea");
    if (first) {
      first.focus();
    }
    return row;
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    var kind = row.getAttribute("data-row");
    row.remove();
    if (kind === "items" && !rowList(kind).querySelector("[data-row]")) {
      addRow(kind); // a report has at least one item
    }
    renumber(kind);
  }

  function setAllowed(option, allowed) {
    option.hidden = !allowed;
    option.disabled = !allowed;
  }

  function hideEmptyGroups(select) {
    select.querySelectorAll("optgroup").forEach(function (group) {
      var visible = Array.prototype.some.call(group.children, function (option) {
        return !option.hidden;
      });
      group.hidden = !visible;
    });
  }

  // Keep subcategory and unit options to those that fit the category. On a user's change, a
  // choice that no longer fits is cleared (and a unit chosen when only one fits); on page load
  // the values are left as they are, so a rejected choice stays next to its error message.
  function filterItemRow(row, changed) {
    var category = row.querySelector('[data-field="category"]').value;
    var subcategory = row.querySelector('[data-field="subcategory"]');
    var unit = row.querySelector('[data-field="unit"]');

    var hasSubcategories = false;
    Array.prototype.forEach.call(subcategory.options, function (option) {
      if (!option.value) {
        return;
      }
      var fits = option.getAttribute("data-category") === category;
      hasSubcategories = hasSubcategories || fits;
      setAllowed(option, fits || (!changed && option.selected));
    });
    hideEmptyGroups(subcategory);
    if (changed && subcategory.selectedOptions.length && subcategory.selectedOptions[0].disabled) {
      subcategory.value = "";
    }
    subcategory.disabled = !hasSubcategories && !subcategory.value;

    var byCategory = unitDimensions[category] || {};
    var dimensions = byCategory[subcategory.value] || byCategory[""] || [];
    var fitting = [];
    Array.prototype.forEach.call(unit.options, function (option) {
      if (!option.value) {
        return;
      }
      var dimension = option.parentNode.getAttribute("data-dimension"); // on the optgroup
      var fits = !category || dimensions.indexOf(dimension) !== -1;
      if (fits) {
        fitting.push(option);
      }
      setAllowed(option, fits || (!changed && option.selected));
    });
    hideEmptyGroups(unit);
    if (changed) {
      if (unit.selectedOptions.length && unit.selectedOptions[0].disabled) {
        unit.value = "";
      }
      if (!unit.value && dimensions.length === 1 && dimensions[0] !== "currency" && fitting.length) {
        unit.value = fitting[0].value; // the canonical unit comes first
      }
    }
  }

  // The zone select offers the country's zones (and, when editing, the offset the report was
  // recorded with, kept while the country is the report's); a changed country selects its first zone
  // unless the zone chosen is one of its own.
  function showZones(countryChanged) {
    var select = form.querySelector("[data-zone-select]");
    var country = form.querySelector('[data-field="country"]');
    if (!select || !country) {
      return;
    }
    var names = zones[country.value] || ["UTC"];
    var chosen = select.value;
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (!option.hasAttribute("data-recorded")) {
        option.remove();
      }
    });
    names.forEach(function (name) {
      select.add(new Option(name.replace(/_/g, " "), name));
    });
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === chosen;
    });
    var keep = countryChanged ? names.indexOf(chosen) >= 0 : offered;
    select.value = keep ? chosen : names[0];
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute("data-add-row"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      removeRow(remove);
    }
  });

  form.addEventListener("change", function (event) {
    var field = event.target.getAttribute("data-field");
    if (field === "category" || field === "subcategory") {
      filterItemRow(event.target.closest('[data-row="items"]'), true);
    } else if (field === "country") {
      showZones(true);
    }
  });

  form.querySelectorAll('[data-row="items"]').forEach(function (row) {
    filterItemRow(row, false);
  });
  showZones(false);

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
