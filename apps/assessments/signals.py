from django.dispatch import Signal

# Sent inside the transaction that adds an evidence item, whatever path it came by.
evidence_arrived = Signal()
