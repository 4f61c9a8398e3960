"""Word lists and number plans for the demo seed: plausible names, valid phone ranges, campaign texts."""

# (name, description): what a small business sorts its WhatsApp audience into.
CATEGORY_NAMES = (
    ("VIP customers", "Top 5% by yearly spend"), ("Newsletter", "Opted in to the weekly news"),
    ("Returning buyers", "Two or more orders"), ("First-time buyers", "One order so far"),
    ("Abandoned carts", "Left a cart in the last 30 days"), ("Black Friday leads", "Signed up on the BF page"),
    ("Wholesale", "B2B accounts"), ("Event attendees", "Came to a store event"),
    ("Loyalty gold", "Loyalty programme, gold tier"), ("Loyalty silver", "Loyalty programme, silver tier"),
    ("Beta testers", "Try new products first"), ("Store pickup", "Prefer click and collect"),
    ("Subscription box", "Monthly box subscribers"), ("Gift card holders", "Hold an unused gift card"),
    ("Referral partners", "Brought at least one friend"), ("Webinar sign-ups", "Registered for a webinar"),
    ("Lapsed customers", "No order for six months"), ("Students", "Verified student discount"),
    ("Sports fans", "Bought sportswear"), ("Home and garden", "Bought home or garden items"),
    ("Tech lovers", "Bought electronics"), ("Parents", "Bought kids' products"),
    ("Pet owners", "Bought pet supplies"), ("Coffee club", "Coffee subscription"),
    ("Fitness", "Gym and fitness products"), ("Travel deals", "Asked for travel offers"),
    ("Book club", "Bought books"), ("Outlet shoppers", "Buy mostly on sale"),
    ("App users", "Use the mobile app"), ("Instagram leads", "Came from an Instagram ad"),
)

# (country, weight, prefix, free digits, language): every number `prefix + digits` is valid in libphonenumber
# (checked by tests/seed), so a sample of distinct digit strings gives distinct valid E.164 numbers.
PHONE_PLANS = (
    ("US", 20, "+14152", 6, "en"),      # San Francisco, 415-2xx-xxxx
    ("US", 15, "+12125", 6, "en"),      # New York, 212-5xx-xxxx
    ("BR", 20, "+55119", 8, "pt"),      # Sao Paulo mobiles, 11 9xxxx-xxxx
    ("MX", 15, "+5255", 8, "es"),       # Mexico City
    ("ES", 10, "+346", 8, "es"),        # Spanish mobiles, 6xx xxx xxx
    ("GB", 10, "+4474", 8, "en"),       # UK mobiles, 074xx xxxxxx
    ("IN", 5, "+919", 9, "hi"),         # Indian mobiles, 9xxxx xxxxx
    ("DE", 5, "+49151", 8, "de"),       # German mobiles, 0151 xxxxxxxx
)

FIRST_NAMES = {
    "en": ("James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Chloe",
           "Lucas", "Grace", "Henry", "Amelia", "Jack", "Harper", "Leo", "Ella", "Oscar"),
    "pt": ("João", "Maria", "Ana", "Pedro", "Lucas", "Juliana", "Gabriel", "Beatriz", "Rafael", "Larissa",
           "Mateus", "Camila", "Thiago", "Fernanda", "Bruno", "Letícia", "Felipe", "Mariana"),
    "es": ("José", "Lucía", "Carlos", "Sofía", "Javier", "Valentina", "Miguel", "Camila", "Diego", "Elena",
           "Alejandro", "Paula", "Daniel", "Martina", "Pablo", "Ximena", "Andrés", "Carmen"),
    "hi": ("Aarav", "Priya", "Vivaan", "Ananya", "Aditya", "Diya", "Arjun", "Isha", "Rohan", "Kavya",
           "Sai", "Meera", "Karan", "Neha"),
    "de": ("Lukas", "Anna", "Finn", "Lena", "Jonas", "Marie", "Leon", "Sophie", "Paul", "Emilia", "Felix",
           "Hannah", "Maximilian", "Lea"),
}

LAST_NAMES = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
           "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Evans", "Turner"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Costa", "Rodrigues",
           "Almeida", "Nascimento", "Carvalho", "Araújo", "Ribeiro", "Gomes", "Martins"),
    "es": ("García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez",
           "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Moreno", "Jiménez", "Ruiz", "Castillo"),
    "hi": ("Sharma", "Verma", "Patel", "Gupta", "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Mehta", "Joshi",
           "Das", "Rao", "Kapoor"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Koch", "Richter", "Klein", "Wolf"),
}

# (campaign theme, first message, second message). A first message is text or an approved template.
CAMPAIGN_THEMES = (
    ("Spring sale", {"template": "spring_sale_2026", "language": "en_US"},
     {"text": "Great! Here is your 20% code: SPRING20. It works until Sunday."}),
    ("New arrivals", {"text": "Hi! Our new collection just landed. Reply YES to see the lookbook."},
     {"text": "Here it is: https://example.com/lookbook - tell us what you like!"}),
    ("Loyalty points reminder", {"text": "You have points waiting. Reply to know how many."},
     {"text": "You have enough points for a free delivery. Want us to apply it?"}),
    ("Weekend flash deal", {"template": "flash_deal", "language": "es_MX"},
     {"text": "Your flash deal is reserved for 2 hours. Shall we send the link?"}),
    ("Event invitation", {"text": "We are hosting a tasting on Saturday. Would you like to join?"},
     {"text": "Lovely! You're on the list. We'll send a reminder the day before."}),
    ("Feedback request", {"text": "How was your last order? Reply with a number from 1 to 5."},
     {"text": "Thank you! Your answer helps us a lot."}),
    ("Back in stock", {"template": "back_in_stock", "language": "pt_BR"},
     {"text": "It's yours if you want it: reply BUY and we'll hold one for you."}),
    ("Free shipping week", {"text": "Free shipping on every order this week. Interested?"},
     {"text": "Perfect, the discount is applied at checkout automatically."}),
    ("Birthday club", {"text": "Join our birthday club for a gift every year. Reply JOIN."},
     {"text": "Welcome to the club! What's your birthday (DD/MM)?"}),
    ("Win-back offer", {"template": "we_miss_you", "language": "en_GB"},
     {"text": "We saved a 15% code for you: BACK15. Anything we can help with?"}),
)

# (kind, body): what contacts answer: quick-reply buttons or a few words.
REPLIES = (
    ("button", "Yes, tell me more"), ("button", "Interested"), ("button", "Send me the link"),
    ("button", "YES"), ("text", "Hi! Yes please"), ("text", "How much is it?"), ("text", "ok"),
    ("text", "Sounds good 👍"), ("text", "Can you deliver on Friday?"), ("text", "Thanks, I'll take a look"),
    ("text", "Do you have it in blue?"), ("text", "Sim, quero saber mais"), ("text", "Sí, me interesa"),
)

# Answers that opt out (OPT_OUT_KEYWORDS, as people type or tap them).
OPT_OUT_REPLIES = (("text", "STOP"), ("text", "Stop"), ("text", "stop "), ("text", "BAJA"), ("text", "Arrêt"),
                   ("button", "STOP"))

# WhatsApp Cloud API errors a campaign really meets.
FAILURES = (
    ("131026", "Message undeliverable"),
    ("131049", "This message was not delivered to maintain healthy ecosystem engagement."),
    ("131047", "Re-engagement message"),
    ("131000", "Something went wrong"),
    ("131048", "Spam rate limit hit"),
)
