// The report's Print button (no inline handlers: the CSP refuses them).
document.getElementById("print-report")?.addEventListener("click", () => window.print());
