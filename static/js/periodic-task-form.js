/* The admin's periodic-task form: show the crontab chosen in words under its field.
 * Moved out of django-celery-beat's template, where it was inline. */
"use strict";
(function () {
    const $ = window.django && window.django.jQuery;
    const crontabs = document.getElementById("readable-crontabs");
    const help = document.getElementById("crontab-help-text");
    if (!$ || !crontabs || !help) {
        return;
    }
    const readable = JSON.parse(crontabs.textContent);
    const originalHelp = JSON.parse(help.textContent);
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
        const helpBox = $(".field-crontab .help");
        helpBox.text(originalHelp);
        helpBox.append(document.createElement("br"));
        helpBox.append(document.createTextNode("Translation: " + (readable[$("#id_crontab").val()] || "")));
    });
})();
