"""The group's default templates, shipped with the package: one set for every action of the standard
table (and the reactivation request), in Italian. A company (or the group) overrides any of them
with ``channels templates set``; what it does not override is taken from here.

The variables are those of ``templates.TEMPLATE_VARIABLES``; amounts and dates are already written
the Italian way (``1.234,56 €``, ``17/03/2026``).
"""

from __future__ import annotations

_BILLS_TEXT = """\
{% for b in bollette %}- bolletta {{ b.numero }} del {{ b.emissione }}, scaduta il {{ b.scadenza }}: \
importo {{ b.importo }}, da pagare {{ b.residuo }}
{% endfor %}Totale da pagare: {{ totale }}"""

_SUPPLIES_TEXT = """\
{% for f in forniture %}Fornitura {{ f.codice }} ({{ f.servizio }}{% if f.indirizzo %}, {{ f.indirizzo }}{% endif %})
{% endfor %}"""

_PAYMENT_TEXT = """\
La preghiamo di pagare entro il {{ scadenza }}.
{% if azienda.istruzioni_pagamento %}{{ azienda.istruzioni_pagamento }}
{% endif %}{% if azienda.iban %}Bonifico sull'IBAN {{ azienda.iban }} intestato a {{ azienda.nome }}, \
causale «{{ cliente.codice }} {{ azione.pratica }}».
{% endif %}Se ha già pagato, non tenga conto di questo avviso."""

_SIGNATURE_TEXT = """\
{{ azienda.nome }}{% if azienda.telefono %} - tel. {{ azienda.telefono }}{% endif %}\
{% if azienda.email %} - {{ azienda.email }}{% endif %}"""

_BILLS_HTML = """\
<table>
<thead><tr><th>Bolletta</th><th>Emessa il</th><th>Scaduta il</th><th>Importo</th><th>Da pagare</th></tr></thead>
<tbody>
{% for b in bollette %}<tr><td>{{ b.numero }}</td><td>{{ b.emissione }}</td><td>{{ b.scadenza }}</td>\
<td>{{ b.importo }}</td><td>{{ b.residuo }}</td></tr>
{% endfor %}</tbody>
<tfoot><tr><td colspan="4">Totale da pagare</td><td>{{ totale }}</td></tr></tfoot>
</table>"""

_PAYMENT_HTML = """\
<p>La preghiamo di pagare entro il <strong>{{ scadenza }}</strong>.</p>
{% if azienda.istruzioni_pagamento %}<p>{{ azienda.istruzioni_pagamento }}</p>
{% endif %}{% if azienda.iban %}<p>Bonifico sull'IBAN {{ azienda.iban }} intestato a {{ azienda.nome }}, \
causale «{{ cliente.codice }} {{ azione.pratica }}».</p>
{% endif %}<p>Se ha già pagato, non tenga conto di questo avviso.</p>"""


def _letter(opening: str) -> str:
    return (
        "Gentile {{ cliente.nome }},\n\n"
        f"{opening}\n\n"
        f"{_SUPPLIES_TEXT}\n{_BILLS_TEXT}\n\n{_PAYMENT_TEXT}\n\n"
        "Codice cliente {{ cliente.codice }}, pratica {{ azione.pratica }}.\n\n"
        f"Distinti saluti\n{_SIGNATURE_TEXT}\n"
    )


def _email(opening: str) -> dict[str, str]:
    return {
        "subject": "{{ azione.descrizione }} - codice cliente {{ cliente.codice }}",
        "text": _letter(opening),
        "html": (
            "<p>Gentile {{ cliente.nome }},</p>\n"
            f"<p>{opening}</p>\n{_BILLS_HTML}\n{_PAYMENT_HTML}\n"
            "<p>Codice cliente {{ cliente.codice }}, pratica {{ azione.pratica }}.</p>\n"
            "<p>Distinti saluti<br>{{ azienda.nome }}</p>\n"
        ),
    }


def _office(request: str) -> dict[str, str]:
    return {
        "subject": "{{ azione.descrizione }} - {{ cliente.codice }} {{ cliente.nome }}",
        "text": (
            f"{request}\n\n"
            "Cliente {{ cliente.codice }} - {{ cliente.nome }}"
            "{% if cliente.codice_fiscale %} (codice fiscale {{ cliente.codice_fiscale }}){% endif %}\n"
            "{% for riga in cliente.indirizzo %}{{ riga }}\n{% endfor %}"
            "Pratica {{ azione.pratica }}, riferimento {{ azione.chiave }}.\n\n"
            f"{_SUPPLIES_TEXT}\n{_BILLS_TEXT}\n"
        ),
    }


_OVERDUE = "risultano ancora da pagare le bollette qui sotto, già scadute."

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "sollecito-sms": {
        "text": (
            "{{ azienda.nome }}: gentile cliente, risultano bollette scadute per {{ totale }}"
            " (cod. cliente {{ cliente.codice }}). La preghiamo di pagare entro il {{ scadenza }}."
            " Se ha già pagato, non tenga conto del messaggio."
        )
    },
    "sollecito-email": _email(f"Le scriviamo perché {_OVERDUE}"),
    "sollecito-bonario": {
        "subject": "Sollecito di pagamento - codice cliente {{ cliente.codice }}",
        "text": _letter(f"può capitare di dimenticare una scadenza: {_OVERDUE}"),
    },
    "sollecito-ar": {
        "subject": "{{ azione.descrizione }} - codice cliente {{ cliente.codice }}",
        "text": _letter(
            f"con la presente Le comunichiamo che {_OVERDUE} La presente vale come costituzione in mora"
            " ai sensi dell'art. 1219 del Codice civile."
        ),
    },
    "pec": _email(
        f"con la presente Le comunichiamo che {_OVERDUE} La presente vale come costituzione in mora"
        " ai sensi dell'art. 1219 del Codice civile."
    ),
    "agenzia": _office("Si affida all'agenzia di recupero il credito del cliente qui indicato."),
    "ufficio-tecnico": _office(
        "All'Ufficio tecnico: {{ azione.descrizione }}"
        "{% if parametri.tech is defined %} (intervento: {{ parametri.tech }}){% endif %}."
    ),
    "richiesta-stralcio": _office("All'Ufficio crediti: richiesta di stralcio del credito qui indicato."),
    "piano-di-rientro": _office("All'Ufficio crediti: proposta di piano di rientro per il credito qui indicato."),
    "contenzioso": _office("All'Ufficio legale: passaggio a contenzioso del credito qui indicato."),
    "riattivazione": {
        "subject": "Richiesta di riattivazione - {{ cliente.codice }} {{ cliente.nome }}",
        "text": (
            "All'Ufficio tecnico: si richiede la riattivazione delle forniture qui indicate del cliente"
            " {{ cliente.codice }} ({{ cliente.nome }}), pratica {{ azione.pratica }}, riferimento"
            " {{ azione.chiave }}.\n\n" + _SUPPLIES_TEXT
        ),
    },
}
